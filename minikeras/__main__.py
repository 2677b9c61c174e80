"""`python -m minikeras` runs the demo."""
from minikeras.demo import main

raise SystemExit(main())
