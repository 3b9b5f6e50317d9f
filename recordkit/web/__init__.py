"""The web workspace (issue 12): a Django 5.2 project built at run time from a working folder.

Nothing here imports Django at module level, so the CLI starts as fast as before; call
``recordkit.web.boot.start(root)`` to configure Django for one working folder.
"""
