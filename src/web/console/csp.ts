/** The console's Content-Security-Policy: no inline script, no inline style, nothing from elsewhere. */
export const CONSOLE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

/** bull-board's page styles itself inline and sets a `<base>`; still no inline script and nothing from elsewhere. */
export const CONSOLE_CSP_BULL_BOARD = {
  ...CONSOLE_CSP,
  styleSrc: ["'self'", "'unsafe-inline'"],
  baseUri: ["'self'"],
};
