#!/bin/sh
# azd postdeploy hook: subscribe the app's Event Grid function to the Azure ML workspace's system topic.
# It runs after `azd deploy` because Event Grid validates that the destination function exists. azd exports the
# outputs of infra/main.bicep as environment variables. Needs the Azure CLI, logged in (`az login`) as the deployer.
set -eu

: "${AZURE_ENV_NAME:?run through azd (azd deploy / azd up)}"
: "${AZURE_RESOURCE_GROUP:?missing output of infra/main.bicep}"
: "${AZURE_FUNCTION_APP_NAME:?missing output of infra/main.bicep}"
: "${AZURE_FUNCTION_APP_ID:?missing output of infra/main.bicep}"
: "${EVENTGRID_RESOURCE_GROUP:?missing output of infra/main.bicep}"
: "${EVENTGRID_SYSTEM_TOPIC_NAME:?missing output of infra/main.bicep}"
: "${EVENTGRID_FUNCTION_NAME:?missing output of infra/main.bicep}"
: "${EVENTGRID_DEADLETTER_STORAGE_ID:?missing output of infra/main.bicep}"
: "${EVENTGRID_DEADLETTER_CONTAINER:?missing output of infra/main.bicep}"

if ! az functionapp function show --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
  --function-name "$EVENTGRID_FUNCTION_NAME" --output none 2>/dev/null; then
  echo "postdeploy: function '$EVENTGRID_FUNCTION_NAME' not found on $AZURE_FUNCTION_APP_NAME;" \
    "deploy the code first (azd deploy), then run: azd hooks run postdeploy" >&2
  exit 1
fi

az deployment group create \
  --name "automl-events-$AZURE_ENV_NAME" \
  --resource-group "$EVENTGRID_RESOURCE_GROUP" \
  --template-file infra/eventgrid-subscription.bicep \
  --parameters \
  systemTopicName="$EVENTGRID_SYSTEM_TOPIC_NAME" \
  functionAppResourceId="$AZURE_FUNCTION_APP_ID" \
  functionName="$EVENTGRID_FUNCTION_NAME" \
  deadLetterStorageAccountId="$EVENTGRID_DEADLETTER_STORAGE_ID" \
  deadLetterContainerName="$EVENTGRID_DEADLETTER_CONTAINER" \
  --output none

echo "postdeploy: Event Grid subscription on $EVENTGRID_SYSTEM_TOPIC_NAME -> $EVENTGRID_FUNCTION_NAME is in place"
