// The Function App on Flex Consumption (FC1, Linux, Python 3.12) with the app's user-assigned identity, the
// deployment package in a blob container read with that identity, and every app setting the code reads.
// Not set on purpose (Flex forbids or ignores them, or they would carry secrets): FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENT*, AzureWebJobsStorage (connection string),
// DATA_STORAGE_CONNECTION_STRING, DEV_AUTH_SECRET. tools/infra_check enforces both lists.
@description('Name of the function app.')
param name string

@description('Name of the Flex Consumption plan (one app per plan).')
param planName string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object = {}

@description('azd service name; azd finds the app to deploy to by the azd-service-name tag.')
param serviceName string = 'api'

@description('Resource id of the app\'s user-assigned managed identity.')
param identityId string

@description('Client id of the app\'s user-assigned managed identity.')
param identityClientId string

@description('Blob endpoint of the app storage account (https://<account>.blob.core.windows.net/).')
param storageBlobEndpoint string

@description('Queue endpoint of the app storage account.')
param storageQueueEndpoint string

@description('Table endpoint of the app storage account.')
param storageTableEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (not a secret: local auth is disabled on the component).')
param appInsightsConnectionString string

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Maximum number of instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Durable Functions task hub (TASKHUB_NAME).')
param taskHubName string

@description('Prefix of the app\'s table names (DATA_TABLE_PREFIX).')
param dataTablePrefix string = ''

@description('Blob container of uploaded datasets (DATASETS_CONTAINER).')
param datasetsContainer string

@description('Blob container of models (MODELS_CONTAINER).')
param modelsContainer string

@description('Subscription of the Azure ML workspace.')
param azuremlSubscriptionId string

@description('Resource group of the Azure ML workspace.')
param azuremlResourceGroup string

@description('Name of the Azure ML workspace.')
param azuremlWorkspaceName string

@description('Compute cluster for AutoML jobs; empty for serverless compute.')
param azuremlCompute string = ''

@description('VM size of batch scoring jobs on serverless compute (ADR 0020).')
param azuremlBatchInstanceType string = 'Standard_DS3_v2'

@description('Event Grid topics accepted by the event handler (the workspace resource id).')
param eventGridAllowedTopics string

@description('Entra ID tenant that issues the API tokens.')
param entraTenantId string

@description('Token audience of the API.')
param entraAudience string

@description('App role name of platform administrators.')
param platformAdminRole string = 'Platform.Admin'

@description('Front-end origins allowed by CORS, comma-separated.')
param corsAllowedOrigins string

@description('Largest accepted upload in bytes.')
param maxUploadBytes int = 52428800

@description('NCRONTAB schedule of the run collector.')
param runCollectorSchedule string = '0 */1 * * * *'

@description('NCRONTAB schedule of the reconciliation timer.')
param reconcileSchedule string = '30 */5 * * * *'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: [
          {
            name: 'durable'
            instanceCount: 1
          }
        ]
      }
      runtime: {
        name: 'python'
        version: '3.13' // Flex Consumption; the worker library is the one pinned in requirements.txt (ADR 0012)
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Functions host storage and Durable task hub, identity-based (no connection string, no key)
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // the app's own settings (domain/settings.py VARS)
    TASKHUB_NAME: taskHubName
    AZURE_CLIENT_ID: identityClientId
    DATA_TABLES_ENDPOINT: storageTableEndpoint
    DATA_BLOBS_ENDPOINT: storageBlobEndpoint
    DATA_TABLE_PREFIX: dataTablePrefix
    DATASETS_CONTAINER: datasetsContainer
    MODELS_CONTAINER: modelsContainer
    AUTOML_BACKEND: 'azureml'
    AZUREML_SUBSCRIPTION_ID: azuremlSubscriptionId
    AZUREML_RESOURCE_GROUP: azuremlResourceGroup
    AZUREML_WORKSPACE_NAME: azuremlWorkspaceName
    AZUREML_COMPUTE: azuremlCompute
    AZUREML_BATCH_INSTANCE_TYPE: azuremlBatchInstanceType
    AZUREML_DATASTORE: 'appdatasets' // the Azure ML datastore registered over the app's datasets container
    EVENTGRID_ALLOWED_TOPICS: eventGridAllowedTopics
    AUTH_MODE: 'entra'
    ENTRA_TENANT_ID: entraTenantId
    ENTRA_AUDIENCE: entraAudience
    PLATFORM_ADMIN_ROLE: platformAdminRole
    CORS_ALLOWED_ORIGINS: corsAllowedOrigins
    MAX_UPLOAD_BYTES: string(maxUploadBytes)
    RUN_COLLECTOR_SCHEDULE: runCollectorSchedule
    RECONCILE_SCHEDULE: reconcileSchedule
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
