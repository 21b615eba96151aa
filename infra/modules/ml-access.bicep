// The app identity's (and optionally the deploying user's) roles on the Azure ML workspace, deployed at the
// workspace's resource group so that an existing workspace elsewhere works too:
// - AzureML Data Scientist on the workspace: submit and manage jobs, models, endpoints; not create/delete compute;
// - Storage Blob Data Contributor on the workspace's storage (when known): upload training data through the
//   identity-based datastores.
@description('Name of the Azure ML workspace (in this resource group).')
param workspaceName string

@description('Name of the workspace\'s storage account in this resource group; empty skips that role.')
param storageAccountName string = ''

@description('Principal id of the app\'s user-assigned managed identity.')
param appPrincipalId string

@description('Object id of the deploying user or CI principal; empty grants nothing.')
param userPrincipalId string = ''

@description('Type of userPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
])
param userPrincipalType string = 'User'

@description('Name of the Azure ML datastore over the app\'s datasets container (the app setting AZUREML_DATASTORE).')
param datastoreName string = 'appdatasets'

@description('Name of the app\'s storage account that holds the datasets container.')
param dataStorageAccountName string

@description('Name of the app\'s datasets container.')
param datasetsContainerName string

var azureMlDataScientist = 'f6c7c914-8db3-469d-8ca1-694a8f32e121'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-10-01' existing = {
  name: workspaceName
}

// The workspace's own identity reads the datasets: its system-assigned identity, or (an existing workspace with only
// a user-assigned identity has no identity.principalId) its primary user-assigned identity.
var workspaceHasSystemIdentity = contains(toLower(workspace.identity.type), 'systemassigned')
var primaryUserIdentityId = contains(workspace.properties, 'primaryUserAssignedIdentity') ? workspace.properties.primaryUserAssignedIdentity : ''
var userIdentityPrincipalId = empty(primaryUserIdentityId) ? '' : reference(primaryUserIdentityId, '2023-01-31').principalId
var workspaceIdentityPrincipalId = workspaceHasSystemIdentity ? workspace.identity.principalId : userIdentityPrincipalId

resource mlStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = if (!empty(storageAccountName)) {
  name: empty(storageAccountName) ? 'unused' : storageAccountName
}

resource appWorkspace 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, appPrincipalId, azureMlDataScientist)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', azureMlDataScientist)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appMlStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(storageAccountName)) {
  name: guid(mlStorage.id, appPrincipalId, storageBlobDataContributor)
  scope: mlStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userWorkspace 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(workspace.id, userPrincipalId, azureMlDataScientist)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', azureMlDataScientist)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// Identity-based datastore over the app's datasets container: jobs read the MLTable files the app writes there with
// the workspace's own identity, system- or user-assigned (granted Storage Blob Data Reader on the app storage in
// rbac.bicep); no keys.
resource datastore 'Microsoft.MachineLearningServices/workspaces/datastores@2024-10-01' = {
  parent: workspace
  name: datastoreName
  properties: {
    datastoreType: 'AzureBlob'
    accountName: dataStorageAccountName
    containerName: datasetsContainerName
    endpoint: environment().suffixes.storage
    protocol: 'https'
    serviceDataAccessAuthIdentity: workspaceHasSystemIdentity ? 'WorkspaceSystemAssignedIdentity' : 'WorkspaceUserAssignedIdentity'
    credentials: {
      credentialsType: 'None'
    }
  }
}

@description('Principal id of the identity the workspace reads data with; empty when it has none the template can see.')
output workspacePrincipalId string = workspaceIdentityPrincipalId
output workspaceId string = workspace.id
output datastoreName string = datastore.name
