from feedhub.cli import main

raise SystemExit(main())
