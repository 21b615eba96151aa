// AutoML Functions: everything azd provisions (`azd provision` / `azd up`), at subscription scope.
// A resource group rg-<env> holds the app: identity, keyless storage, monitoring, the Flex Consumption function app,
// and (unless an existing workspace is given) the Azure ML workspace. The Event Grid system topic sits beside the
// workspace; its subscription to the app's Event Grid function is made by the postdeploy hook
// (infra/hooks/postdeploy.sh -> infra/eventgrid-subscription.bicep) once the function exists.
// Checked offline by `make infra-check` (tools/infra_check + checkov); see docs/deploy.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('Name of the azd environment; used in resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (Flex Consumption must be available there).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user or CI principal (azd sets AZURE_PRINCIPAL_ID); empty grants nothing.')
param principalId string = ''

@description('Type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Entra ID tenant that issues the API tokens (ENTRA_TENANT_ID); empty means this deployment\'s tenant.')
param entraTenantId string = ''

@description('Token audience of the API (ENTRA_AUDIENCE); empty uses the API app registration made here.')
param entraAudience string = ''

@description('More front-end origins allowed by CORS, comma-separated (CORS_ALLOWED_ORIGINS); the console\'s is added.')
param corsAllowedOrigins string = ''

@description('Region of the console\'s static web app (Static Web Apps run in a few regions only).')
param consoleLocation string = 'eastus2'

@description('Name of an existing Azure ML workspace to use; empty creates one in the app resource group.')
param existingMlWorkspaceName string = ''

@description('Resource group of the existing workspace; empty means the app resource group.')
param existingMlWorkspaceResourceGroup string = ''

@description('Tenants\' own Azure ML workspaces ([{name, resourceGroup}] in this subscription): the app identity gets AzureML Data Scientist on each, each gets the datasets datastore, and their events are accepted (EVENTGRID_ALLOWED_TOPICS). A tenant is bound to one with its `azureml` field (docs/deploy.md).')
param tenantMlWorkspaces array = []

@description('Compute cluster for AutoML jobs (AZUREML_COMPUTE); empty for serverless compute.')
param azuremlCompute string = ''

@description('VM size of batch scoring jobs on serverless compute (AZUREML_BATCH_INSTANCE_TYPE, ADR 0020); batch jobs run on the AZUREML_COMPUTE cluster instead when one is set.')
param azuremlBatchInstanceType string = 'Standard_DS3_v2'

@description('Durable Functions task hub (TASKHUB_NAME); empty derives one per environment.')
param taskHubName string = ''

@description('Maximum number of function app instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

var tags = {
  'azd-env-name': environmentName
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var resourceGroupName = 'rg-${environmentName}'
var createMlWorkspace = empty(existingMlWorkspaceName)
var mlWorkspaceName = createMlWorkspace ? 'mlw-${resourceToken}' : existingMlWorkspaceName
var useAppResourceGroupForMl = createMlWorkspace || empty(existingMlWorkspaceResourceGroup)
var mlResourceGroupName = useAppResourceGroupForMl ? resourceGroupName : existingMlWorkspaceResourceGroup
var mlWorkspaceId = '${subscription().id}/resourceGroups/${mlResourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${mlWorkspaceName}'
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var datasetsContainerName = 'datasets'
var modelsContainerName = 'models'
var deadLetterContainerName = 'eventgrid-deadletter'
var taskHub = empty(taskHubName) ? 'automl${take(resourceToken, 10)}' : taskHubName
var tokenTenantId = empty(entraTenantId) ? tenant().tenantId : entraTenantId
// The Python def name of the Event Grid function (functions/events/); tests/infra checks the two stay in sync.
var eventGridFunctionName = 'on_automl_run_event'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    containerNames: [
      deploymentContainerName
      datasetsContainerName
      modelsContainerName
      deadLetterContainerName
    ]
  }
}

module mlWorkspace 'modules/ml-workspace.bicep' = if (createMlWorkspace) {
  name: 'ml-workspace'
  scope: rg
  params: {
    name: mlWorkspaceName
    storageAccountName: 'stml${resourceToken}'
    keyVaultName: 'kv-${resourceToken}'
    appInsightsId: monitoring.outputs.appInsightsId
    location: location
    tags: tags
  }
}

module mlAccess 'modules/ml-access.bicep' = {
  name: 'ml-access'
  scope: resourceGroup(mlResourceGroupName)
  params: {
    workspaceName: mlWorkspaceName
    storageAccountName: createMlWorkspace ? mlWorkspace.outputs.storageAccountName : ''
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
    dataStorageAccountName: storage.outputs.name
    datasetsContainerName: datasetsContainerName
  }
  dependsOn: [
    rg
  ]
}

module tenantMlAccess 'modules/ml-access.bicep' = [
  for (ws, i) in tenantMlWorkspaces: {
    name: 'ml-access-tenant-${i}'
    scope: resourceGroup(ws.resourceGroup)
    params: {
      workspaceName: ws.name
      appPrincipalId: identity.outputs.principalId
      dataStorageAccountName: storage.outputs.name
      datasetsContainerName: datasetsContainerName
    }
  }
]

var tenantWorkspaceIds = [
  for ws in tenantMlWorkspaces: '${subscription().id}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${ws.name}'
]
var eventGridAllowedTopics = join(concat([mlWorkspaceId], tenantWorkspaceIds), ',')

module eventGridTopic 'modules/eventgrid-topic.bicep' = {
  name: 'eventgrid-topic'
  scope: resourceGroup(mlResourceGroupName)
  params: {
    name: 'evgt-${resourceToken}'
    workspaceName: mlWorkspaceName
    tags: tags
  }
  dependsOn: [
    rg
    mlWorkspace
  ]
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    deadLetterContainerName: deadLetterContainerName
    appInsightsName: monitoring.outputs.appInsightsName
    appPrincipalId: identity.outputs.principalId
    eventGridPrincipalId: eventGridTopic.outputs.principalId
    mlWorkspacePrincipalId: mlAccess.outputs.workspacePrincipalId
    tenantWorkspacePrincipalIds: [for i in range(0, length(tenantMlWorkspaces)): tenantMlAccess[i].outputs.workspacePrincipalId]
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    maximumInstanceCount: maximumInstanceCount
    taskHubName: taskHub
    datasetsContainer: datasetsContainerName
    modelsContainer: modelsContainerName
    azuremlSubscriptionId: subscription().subscriptionId
    azuremlResourceGroup: mlResourceGroupName
    azuremlWorkspaceName: mlWorkspaceName
    azuremlCompute: azuremlCompute
    azuremlBatchInstanceType: azuremlBatchInstanceType
    eventGridAllowedTopics: eventGridAllowedTopics
    entraTenantId: tokenTenantId
    entraAudience: empty(entraAudience) ? appRegistrations.outputs.apiClientId : entraAudience
    corsAllowedOrigins: empty(corsAllowedOrigins) ? console.outputs.origin : '${corsAllowedOrigins},${console.outputs.origin}'
  }
  dependsOn: [
    rbac
    mlAccess
  ]
}

// The web console (docs/adr/0016-web-console.md): its static web app and the Entra app registrations.
module console 'modules/console.bicep' = {
  name: 'console'
  scope: rg
  params: {
    name: 'stapp-${resourceToken}'
    location: consoleLocation
    tags: tags
  }
}

module appRegistrations 'modules/app-registrations.bicep' = {
  name: 'app-registrations'
  scope: rg
  params: {
    apiName: 'automl-functions-api-${resourceToken}'
    consoleName: 'automl-functions-console-${resourceToken}'
    displayPrefix: 'AutoML Functions (${environmentName})'
    consoleRedirectUris: [
      console.outputs.origin
      'http://localhost:5173'
    ]
  }
}

// azd writes every output to .azure/<env>/.env and exports them to the hooks.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_ID string = functionApp.outputs.id
output API_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
output AZURE_FUNCTION_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output DATA_TABLES_ENDPOINT string = storage.outputs.tableEndpoint
output DATA_BLOBS_ENDPOINT string = storage.outputs.blobEndpoint
output TASKHUB_NAME string = taskHub
output AZUREML_SUBSCRIPTION_ID string = subscription().subscriptionId
output AZUREML_RESOURCE_GROUP string = mlResourceGroupName
output AZUREML_WORKSPACE_NAME string = mlWorkspaceName
output EVENTGRID_ALLOWED_TOPICS string = eventGridAllowedTopics
output EVENTGRID_SYSTEM_TOPIC_NAME string = eventGridTopic.outputs.name
output EVENTGRID_RESOURCE_GROUP string = mlResourceGroupName
output EVENTGRID_FUNCTION_NAME string = eventGridFunctionName
output EVENTGRID_DEADLETTER_STORAGE_ID string = storage.outputs.id
output EVENTGRID_DEADLETTER_CONTAINER string = deadLetterContainerName
output ENTRA_TENANT_ID string = tokenTenantId
output ENTRA_AUDIENCE string = empty(entraAudience) ? appRegistrations.outputs.apiClientId : entraAudience
output CONSOLE_URL string = console.outputs.origin
output CONSOLE_CLIENT_ID string = appRegistrations.outputs.consoleClientId
output API_CLIENT_ID string = appRegistrations.outputs.apiClientId
output API_SCOPE string = appRegistrations.outputs.apiScope
