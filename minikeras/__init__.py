"""minikeras (package root filled in once all modules exist)."""
