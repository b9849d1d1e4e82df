"""The branch counter: customer lookup, identity check, unmasking and counter actions."""
