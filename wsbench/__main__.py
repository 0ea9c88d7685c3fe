from wsbench.cli.app import console

console()
