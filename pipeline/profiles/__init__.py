"""Country profiles: the same few numbers for every country the UNODC file covers, in every language, run as one
parameterised notebook (notebooks/country_profile.ipynb) per country and language. build.py computes each country's
numbers and findings (the DVC stage `profiles`), charts.py draws them, text.py says them in a language, execute.py
runs the notebooks in parallel and skips those whose inputs did not change (the stage `profiles_notebook`), pages.py
wraps each executed notebook in a page and lists them in an index."""
