"""Solving: the built model handed to HiGHS (one-shot or in a Session) and read back into a Plan."""
