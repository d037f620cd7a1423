// What config.js sets for the console (web/app.js): locally ./api and no sign-in; in AWS the stack's
// generated config.js gives the API URL and the Cognito hosted sign-in. Type-checking only, never served.
interface Window {
  IMPACT_API?: string;
  IMPACT_SIGN_IN?: string;
}
