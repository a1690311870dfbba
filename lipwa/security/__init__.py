"""Security hardening that spans the product: encryption key rotation, rate limits, secure headers and CSP."""
