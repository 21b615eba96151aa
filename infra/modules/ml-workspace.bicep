// A new Azure ML workspace (kind Default) with its own keyless storage account and an RBAC Key Vault, sharing the
// app's Application Insights. Used only when no existing workspace is given (main.bicep: existingMlWorkspaceName).
// The system datastores authenticate with identities (systemDatastoresAuthMode), so the storage account keeps
// shared keys disabled like the app's; the container registry is created by Azure ML on the first image build.
@description('Name of the workspace.')
param name string

@description('Name of the workspace\'s storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Name of the workspace\'s Key Vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Resource id of the Application Insights component the workspace reports to.')
param appInsightsId string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object = {}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
  }
}

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'Default'
  sku: {
    name: 'Basic'
    tier: 'Basic'
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    friendlyName: name
    storageAccount: storage.id
    keyVault: keyVault.id
    applicationInsights: appInsightsId
    publicNetworkAccess: 'Enabled'
    systemDatastoresAuthMode: 'identity'
    v1LegacyMode: false
  }
}

output id string = workspace.id
output name string = workspace.name
output storageAccountName string = storage.name
