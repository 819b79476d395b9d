from cslevels.cli import main

main()
