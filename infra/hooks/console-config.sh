#!/bin/sh
# azd prepackage hook of the `console` service: writes web/public/config.json (copied into web/dist by the build) from
# the provisioning outputs, so the console signs in with Entra ID (its app registration, the API's scope) and calls
# the Function app. Runs in web/ (the service's project folder).
set -eu
: "${API_BASE_URL:?run azd provision first}" "${CONSOLE_CLIENT_ID:?}" "${API_SCOPE:?}" "${ENTRA_TENANT_ID:?}"
API_ORIGIN=${API_BASE_URL%/api}
cat > public/config.json <<JSON
{
  "authMode": "entra",
  "apiBase": "/api/v1",
  "apiOrigin": "${API_ORIGIN}",
  "entra": {
    "clientId": "${CONSOLE_CLIENT_ID}",
    "authority": "https://login.microsoftonline.com/${ENTRA_TENANT_ID}",
    "scopes": ["${API_SCOPE}"]
  }
}
JSON
echo "console-config: public/config.json for ${API_ORIGIN}"
