"""Azure Functions adapters, thin: parse, authenticate, call one domain service, map the result or error."""
