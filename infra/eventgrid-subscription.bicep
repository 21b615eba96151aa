// The Event Grid subscription that delivers the Azure ML workspace's run and model events to the app's Event Grid
// function. Deployed by the azd postdeploy hook (infra/hooks/postdeploy.sh) at the system topic's resource group,
// after the code is deployed: Event Grid validates that the AzureFunction destination exists and is an
// EventGridTrigger. Undeliverable events go to a blob container of the app storage, written with the system topic's
// identity (its role is granted in modules/rbac.bicep), never with a key.
@description('Name of the Event Grid system topic on the workspace (main.bicep output EVENTGRID_SYSTEM_TOPIC_NAME).')
param systemTopicName string

@description('Resource id of the function app (main.bicep output AZURE_FUNCTION_APP_ID).')
param functionAppResourceId string

@description('Name of the Event Grid function, its Python def name (main.bicep output EVENTGRID_FUNCTION_NAME).')
param functionName string

@description('Resource id of the storage account that receives dead letters.')
param deadLetterStorageAccountId string

@description('Blob container that receives dead letters.')
param deadLetterContainerName string

@description('Name of the subscription.')
param name string = 'automl-run-events'

@description('The `app` tag the app puts on every AutoML job it submits (domain/automl/azureml/naming.py).')
param appTag string = 'automl-functions'

@description('Delivery attempts before an event is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

// Only the events the app acts on: model registrations were delivered and ignored (each one an invocation).
var eventTypes = [
  'Microsoft.MachineLearningServices.RunCompleted'
  'Microsoft.MachineLearningServices.RunStatusChanged'
]

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: name
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppResourceId}/functions/${functionName}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    // Only the parent AutoML runs the app submitted: their runTags carry the app tag. AutoML's trial runs (children,
    // named <parent>_<n>) have no user tags (their events carry `runTags: {}`), so each trial's status changes no
    // longer cost an invocation. `data.runTags.app` is a dot path without dotted keys, as advanced filters require.
    filter: {
      includedEventTypes: eventTypes
      enableAdvancedFilteringOnArrays: true
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.runTags.app'
          values: [
            appTag
          ]
        }
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output id string = subscription.id
