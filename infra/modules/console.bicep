// The web console's host: an Azure Static Web App (Free) serving web/dist, deployed by azd (service `console` in
// azure.yaml). The console calls the Function app directly; the app allows this origin by CORS (main.bicep adds it to
// CORS_ALLOWED_ORIGINS). Not a linked backend: docs/adr/0016-web-console.md says why.
@description('Name of the static web app.')
param name string

@description('Region of the static web app (Static Web Apps run in a few regions only).')
param location string

param tags object

resource site 'Microsoft.Web/staticSites@2023-12-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'console'
  })
  sku: {
    name: 'Free'
    tier: 'Free'
  }
  properties: {
    stagingEnvironmentPolicy: 'Disabled'
    allowConfigFileUpdates: true
  }
}

output name string = site.name
output origin string = 'https://${site.properties.defaultHostname}'
