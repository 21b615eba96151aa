// The Entra app registrations of the API and the console, created by Bicep's Microsoft Graph extension so that
// `azd up` needs no portal step (infra/bicepconfig.json names the extension). The API exposes the delegated scope
// `access_as_user` and the app role `Platform.Admin` (PLATFORM_ADMIN_ROLE); it issues v2 access tokens, whose `aud`
// is the API's client id (ENTRA_AUDIENCE). The console is a single-page app (redirect URIs: its origin, and the Vite
// dev server for local work against an Entra-mode host) that asks for the API's scope. docs/adr/0016-web-console.md.
extension microsoftGraphV1

@description('Unique name of the API registration (also its application id URI: api://<name>).')
param apiName string

@description('Unique name of the console registration.')
param consoleName string

@description('Shown in the Entra admin center.')
param displayPrefix string

@description('SPA redirect URIs of the console (its origins).')
param consoleRedirectUris array

var scopeId = guid(apiName, 'access_as_user')
var adminRoleId = guid(apiName, 'Platform.Admin')

resource api 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: apiName
  displayName: '${displayPrefix} API'
  signInAudience: 'AzureADMyOrg'
  identifierUris: [
    'api://${apiName}'
  ]
  api: {
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      {
        id: scopeId
        value: 'access_as_user'
        type: 'User'
        isEnabled: true
        adminConsentDisplayName: 'Use AutoML Functions as the signed-in user'
        adminConsentDescription: 'Lets the console call the AutoML Functions API on behalf of the signed-in user.'
        userConsentDisplayName: 'Use AutoML Functions as you'
        userConsentDescription: 'Lets the console call the AutoML Functions API on your behalf.'
      }
    ]
  }
  appRoles: [
    {
      id: adminRoleId
      value: 'Platform.Admin'
      displayName: 'Platform administrator'
      description: 'Creates tenants and manages every tenant of the platform.'
      allowedMemberTypes: [
        'User'
        'Application'
      ]
      isEnabled: true
    }
  ]
}

resource apiPrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: api.appId
}

resource console 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: consoleName
  displayName: '${displayPrefix} console'
  signInAudience: 'AzureADMyOrg'
  spa: {
    redirectUris: consoleRedirectUris
  }
  requiredResourceAccess: [
    {
      resourceAppId: api.appId
      resourceAccess: [
        {
          id: scopeId
          type: 'Scope'
        }
      ]
    }
  ]
}

resource consolePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: console.appId
}

output apiClientId string = api.appId
output apiPrincipalId string = apiPrincipal.id
output apiScope string = 'api://${apiName}/access_as_user'
output consoleClientId string = console.appId
output consolePrincipalId string = consolePrincipal.id
