"""`python -m odido_gen.sandbox`: the same as `odido-gen sandbox`."""

from odido_gen.sandbox._cli import sandbox

sandbox(prog_name="odido-gen sandbox")
