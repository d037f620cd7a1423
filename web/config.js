// @ts-check
// Where the console finds the API and how it signs in. Locally the runtime serves the API under ./api
// and needs no sign-in; the CDK stack replaces this file with the deployed API URL and Cognito domain.
window.IMPACT_API = window.IMPACT_API ?? './api';
