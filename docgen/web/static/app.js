// docgen serve: the few lines of script the pages use; every page works without it.
"use strict";
