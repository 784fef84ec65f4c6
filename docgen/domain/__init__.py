"""Domain helpers: Vietnamese formatting, working days, election arithmetic.

Pure functions on plain values (numbers, dates, texts, dicts of the input's shape); nothing
here imports anything else of docgen, so every stage may use them.
"""
