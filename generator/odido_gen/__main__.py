from odido_gen.cli import main

main()
