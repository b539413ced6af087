import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type Docker from 'dockerode';

import { ensureStackImage, followProgress } from '@paas/stack';

/** Marks the add-on server image; its value is the recipe digest, so a changed recipe makes a new image. */
export const ADDON_IMAGE_LABEL = 'paas.addon-image';
const IMAGE_ID = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

/** Where each service keeps its data: the add-on's named volume is mounted here. */
export const DATA_MOUNT = { postgresql: '/srv/postgresql', redis: '/srv/redis' } as const;
/** Unix sockets for the platform's own admin work through `docker exec`. */
export const POSTGRES_SOCKET_DIR = '/run/postgresql';
export const REDIS_SOCKET = '/run/redis/redis.sock';

/** The entrypoint's exit code when the volume's major is not in the image; its last line (`paas: …`) says why. */
export const MAJOR_MISSING_EXIT = 3;

/**
 * Runs as the postgres user. The first start makes the cluster in the volume with the
 * image's newest major; every later start runs the major that made it (its PG_VERSION),
 * never a newer one, and refuses with a `paas:` line when the image lacks it. Socket
 * connections (reached only through `docker exec`) are trusted, TCP ones need a password.
 * Its arguments (the memory settings of the add-on's plan) go to the server.
 */
const POSTGRES_ENTRYPOINT = `#!/bin/sh
set -eu
data=${DATA_MOUNT.postgresql}/data
if [ -s "$data/PG_VERSION" ]; then
  major=$(cat "$data/PG_VERSION")
  bin=/usr/lib/postgresql/$major/bin
  if [ ! -x "$bin/postgres" ]; then
    echo "paas: this volume holds a PostgreSQL $major cluster and the add-on image has PostgreSQL $(ls /usr/lib/postgresql | tr '\\n' ' ')only: the server was not started and its data is untouched. It needs an add-on image with postgresql-$major." >&2
    exit ${String(MAJOR_MISSING_EXIT)}
  fi
else
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale
  echo 'host all all all scram-sha-256' >> "$data/pg_hba.conf"
fi
exec "$bin/postgres" -D "$data" -c listen_addresses='*' -c unix_socket_directories=${POSTGRES_SOCKET_DIR} -c logging_collector=off -c max_connections=100 "$@"
`;

/**
 * Runs as the redis user. Users live in an ACL file in the volume: the default user is
 * off, the platform's admin user is made on the first start from its password's sha256
 * (the plain password is never given to the container). Its arguments go to the server.
 */
const REDIS_ENTRYPOINT = `#!/bin/sh
set -eu
dir=${DATA_MOUNT.redis}
case "\${PAAS_ADMIN_SHA256:-}" in *[!0-9a-f]*|'') echo 'PAAS_ADMIN_SHA256 must be a sha256 in hex' >&2; exit 2;; esac
if [ ! -s "$dir/users.acl" ]; then
  printf 'user default off\\nuser paas-admin on #%s ~* &* +@all\\n' "$PAAS_ADMIN_SHA256" > "$dir/users.acl"
fi
exec redis-server --bind 0.0.0.0 --port 6379 --protected-mode no --dir "$dir" --appendonly yes --appendfsync everysec --save '60 1' --aclfile "$dir/users.acl" --unixsocket ${REDIS_SOCKET} --unixsocketperm 700 "$@"
`;

export function addonDockerfile(stackImage: string): string {
  if (!IMAGE_ID.test(stackImage)) throw new Error(`Invalid stack image name ${JSON.stringify(stackImage)}.`);
  return [
    `FROM ${stackImage}`,
    'USER root',
    // Debian would make a "main" cluster on install; each add-on makes its own in its volume.
    'RUN mkdir -p /etc/postgresql-common && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf' +
      ' && apt-get update && apt-get install -y --no-install-recommends postgresql redis-server && rm -rf /var/lib/apt/lists/*',
    // An empty named volume takes the owner of the directory it is mounted over.
    `RUN mkdir -p ${DATA_MOUNT.postgresql} ${DATA_MOUNT.redis} ${POSTGRES_SOCKET_DIR} /run/redis` +
      ` && chown postgres:postgres ${DATA_MOUNT.postgresql} ${POSTGRES_SOCKET_DIR} && chown redis:redis ${DATA_MOUNT.redis} /run/redis` +
      ` && chmod 0700 ${DATA_MOUNT.postgresql} ${DATA_MOUNT.redis}`,
    'COPY paas-addon-postgres paas-addon-redis /usr/local/bin/',
    'WORKDIR /',
    '',
  ].join('\n');
}

/** A digest of everything the image is made of, the stack image's id included. */
export function addonRecipe(stackImageId: string, stackImage: string): string {
  return createHash('sha256').update(stackImageId).update(addonDockerfile(stackImage)).update(POSTGRES_ENTRYPOINT).update(REDIS_ENTRYPOINT).digest('hex').slice(0, 16);
}

/** `paas/addons:<recipe>`: one image per recipe over one stack image. */
export const addonImageName = (recipe: string): string => `paas/addons:${recipe}`;

function tarOf(dir: string): NodeJS.ReadableStream {
  const tar = spawn('tar', ['-C', dir, '-c', 'Dockerfile', 'paas-addon-postgres', 'paas-addon-redis'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return tar.stdout;
}

/**
 * The add-on server image: the stack image (made first when missing) plus Debian's
 * postgresql and redis-server, built on first need and reused while its recipe holds.
 */
export async function ensureAddonImage(options: { docker: Docker; stackImage: string; workDir: string; onLine?: (line: string) => void }): Promise<string> {
  const { docker, stackImage, workDir } = options;
  const onLine = options.onLine ?? ((): void => undefined);
  const stack = await ensureStackImage({ docker, image: stackImage, workDir, onLine });
  const recipe = addonRecipe(stack.id, stackImage);
  const image = addonImageName(recipe);
  try {
    const found = await docker.getImage(image).inspect();
    if (found.Config.Labels?.[ADDON_IMAGE_LABEL] === recipe) return image;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  const context = await mkdtemp(join(workDir, 'addon-image-'));
  try {
    await writeFile(join(context, 'Dockerfile'), `${addonDockerfile(stackImage)}LABEL ${ADDON_IMAGE_LABEL}=${recipe}\n`);
    await writeFile(join(context, 'paas-addon-postgres'), POSTGRES_ENTRYPOINT);
    await writeFile(join(context, 'paas-addon-redis'), REDIS_ENTRYPOINT);
    await chmod(join(context, 'paas-addon-postgres'), 0o755);
    await chmod(join(context, 'paas-addon-redis'), 0o755);
    onLine(`Building ${image} (postgresql and redis-server over ${stackImage})`);
    const stream = await docker.buildImage(tarOf(context), { t: image, rm: true, forcerm: true });
    await followProgress(docker, stream, onLine);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return image;
}
