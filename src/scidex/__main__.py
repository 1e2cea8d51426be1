from scidex.cli import main

main()
