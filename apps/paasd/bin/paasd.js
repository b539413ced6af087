#!/usr/bin/env -S node --max-semi-space-size=2
// Every way paasd starts runs this file as a program (npm start, the image, the bench, the
// tests), so the V8 flag above is given in one place. It caps each of the young generation's
// two semi-spaces at 2 MB: V8 grows them to 16 MB while paasd starts and keeps them until its
// memory reducer runs, 20 s or more into idleness (28 of an idle paasd's 120 MB). At 1 MB the
// builtin router spent more CPU per request; what 2 MB costs it is in bench/README.md
// (`paasd` and `router`). A flag set from inside the process comes too late: the heap is
// configured before any JavaScript runs.
// `node apps/paasd/dist/src/main.js` also works, with V8's default young generation.
import "../dist/src/main.js";
