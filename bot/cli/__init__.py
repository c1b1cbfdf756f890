"""The newsbrief command line: argument parsing, commands and their JSON shapes."""
