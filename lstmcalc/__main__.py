from lstmcalc.cli import main

main(prog_name="lstmcalc")
