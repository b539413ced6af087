#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2
// Every way paasd starts runs this file as a program (npm start, the image, the bench, the
// tests), so the V8 flag above is given in one place. It caps each of the young generation's
// two semi-spaces at 2 MB: V8 grows them to 16 MB while paasd starts and keeps them until its
// memory reducer runs, 20 s or more into idleness (28 of an idle paasd's 120 MB). At 1 MB the
// builtin router spent more CPU per request; what 2 MB costs it is in bench/README.md
// (`paasd` and `router`). A flag set from inside the process comes too late: the heap is
// configured before any JavaScript runs.
// MALLOC_ARENA_MAX=2 likewise must be in the environment before the process starts: glibc
// gives each of paasd's dozen threads (V8's, libuv's, the router's) a malloc arena of its
// own, up to 8 per core, and each keeps what it once held; an idle paasd with two arenas
// holds ~4 MB less. Threads then share two arenas (their small allocations come from
// per-thread caches without a lock). `env` sets it whatever the environment held.
// `node apps/paasd/dist/src/main.js` also works, with V8's default young generation.
import "../dist/src/main.js";
