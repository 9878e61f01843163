from clockwork_desktop.app.main import main

raise SystemExit(main())
