// The Event Grid system topic on the Azure ML workspace, deployed at the workspace's resource group and region.
// Its system-assigned identity writes dead letters (role in rbac.bicep). The subscription to the app's Event Grid
// function is created after code deployment by infra/eventgrid-subscription.bicep (azd postdeploy hook), because
// Event Grid validates that the function exists.
// Azure allows one system topic per source: with an existing workspace that already has one, remove it first.
@description('Name of the system topic.')
param name string

@description('Name of the Azure ML workspace (in this resource group) whose events the topic publishes.')
param workspaceName string

@description('Tags for the resource.')
param tags object = {}

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-10-01' existing = {
  name: workspaceName
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: workspace.location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: workspace.id
    topicType: 'Microsoft.MachineLearningServices.Workspaces'
  }
}

output id string = topic.id
output name string = topic.name
output principalId string = topic.identity.principalId
