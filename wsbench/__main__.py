from wsbench.cli.app import main

main()
