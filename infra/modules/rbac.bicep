// Least-privilege role assignments in the app's resource group, in one place:
// - the app's identity: the three storage data roles the Functions host, Durable Functions and the app need, and
//   Monitoring Metrics Publisher so it can send telemetry to Application Insights with local auth disabled;
// - the Event Grid system topic's identity: Storage Blob Data Contributor on the dead-letter container only;
// - the deploying user (optional, for local debugging against the cloud resources): the same data roles.
// The Azure ML roles live in ml-access.bicep because the workspace may sit in another resource group.
@description('Name of the app storage account.')
param storageAccountName string

@description('Name of the blob container that receives Event Grid dead letters.')
param deadLetterContainerName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Principal id of the app\'s user-assigned managed identity.')
param appPrincipalId string

@description('Principal id of the Event Grid system topic\'s managed identity (dead-lettering).')
param eventGridPrincipalId string

@description('Principal id of the Azure ML workspace\'s identity (system- or user-assigned) that reads the datasets through its datastore; empty grants nothing (then grant it by hand, docs/deploy.md).')
param mlWorkspacePrincipalId string

@description('Principal ids of the identities of tenants\' own Azure ML workspaces (tenantMlWorkspaces in main.bicep).')
param tenantWorkspacePrincipalIds array = []

@description('Object id of the deploying user or CI principal; empty grants nothing.')
param userPrincipalId string = ''

@description('Type of userPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
])
param userPrincipalType string = 'User'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// The Functions host needs Blob Data Owner on AzureWebJobsStorage (leases, deployment package); Durable needs queues
// and tables; the app's data (tables, dataset and model blobs) lives in the same account.
var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

var userStorageRoles = [
  roles.storageBlobDataContributor
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetters 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appStorageRoles: {
    name: guid(storage.id, appPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource eventGridDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deadLetters.id, eventGridPrincipalId, roles.storageBlobDataContributor)
  scope: storage::blobService::deadLetters
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: eventGridPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in (empty(userPrincipalId) ? [] : userStorageRoles): {
    name: guid(storage.id, userPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: userPrincipalId
      principalType: userPrincipalType
    }
  }
]

resource userMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(appInsights.id, userPrincipalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// The Azure ML workspace reads the app's datasets (the `appdatasets` datastore) with its own identity: read only.
// An existing workspace whose identity the template cannot resolve gets no assignment here rather than a failed one.
resource mlWorkspaceDatasets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(mlWorkspacePrincipalId)) {
  name: guid(storage.id, mlWorkspacePrincipalId, storageBlobDataReader)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
    principalId: mlWorkspacePrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Tenants' own workspaces read the same datasets container through their own datastore of the same name.
resource tenantWorkspaceDatasets 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for tenantPrincipalId in tenantWorkspacePrincipalIds: if (!empty(tenantPrincipalId)) {
    name: guid(storage.id, tenantPrincipalId, storageBlobDataReader)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
      principalId: tenantPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]
