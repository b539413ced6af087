/**
 * Which ref updates of a push paas accepts, and which one deploys. Pure: it takes the
 * `<old> <new> <ref>` lines git hands the pre-receive hook and returns a decision
 * with the exact ` !     ` lines the pusher will read.
 *
 * Rules:
 * - `refs/heads/main` or `refs/heads/master` deploys (one of them per push);
 * - deleting the deploy branch is refused (pre-receive runs before git applies
 *   `receive.denyDeletes`, so this message is the one the pusher sees; git's setting
 *   then refuses every other deletion, tags included);
 * - tags are accepted and stored without a build (`git push --tags` / `--follow-tags`
 *   must not fail a deploy), so a tag-only push deploys nothing;
 * - any other branch, and any other ref namespace, refuses the whole push, saying
 *   how to deploy that branch instead;
 * - unless the app makes review apps (`reviewBranches`): then one other branch per push
 *   deploys (to its review app), and deleting such a branch is accepted (its review app
 *   goes); deleting tags is refused either way.
 *
 * Ref names come from the pusher and may hold `; | & $ ( ) < > ' "` or start with `-`:
 * they only ever appear in messages, quoted by {@link showRef}.
 */

export interface RefUpdate {
  readonly oldRev: string;
  readonly newRev: string;
  readonly ref: string;
}

export type PushPlan =
  | {
      readonly ok: true;
      /** The update to build, or null when the push only stores tags. */
      readonly deploy: RefUpdate | null;
      /** Branches deleted (review apps only); absent when none. */
      readonly deletes?: readonly RefUpdate[];
    }
  | {
      readonly ok: false;
      /** ` !     ` lines for the pusher, without trailing newlines. */
      readonly messages: readonly string[];
    };

export const DEPLOY_BRANCHES = ['refs/heads/main', 'refs/heads/master'] as const;

const ZERO_REV = /^0+$/;
const PLAIN_REF = /^[A-Za-z0-9._/+@=,:-]+$/;

export function isZeroRev(rev: string): boolean {
  return ZERO_REV.test(rev);
}

/**
 * A ref name as it may be shown to a person and pasted into a POSIX shell: plain
 * names stay as they are, anything else is single-quoted; control and format
 * characters (ANSI escapes, bidi overrides), which git itself forbids, are shown as
 * `\u{…}` so a message can never repaint the pusher's terminal.
 */
export function showRef(ref: string): string {
  const visible = ref.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (char) => {
    return `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`;
  });
  if (PLAIN_REF.test(visible) && !visible.startsWith('-')) return visible;
  return `'${visible.replace(/'/g, `'\\''`)}'`;
}

/** The refspec that would deploy `ref`: `feature:main`, or the full name where a short one misleads. */
function deployRefspec(ref: string): string {
  const branch = ref.slice('refs/heads/'.length);
  // A source starting with `-` would read as an option to `git push`; the full
  // name is unambiguous.
  const source = branch.startsWith('-') ? ref : branch;
  return showRef(`${source}:main`);
}

function refuse(...messages: string[]): PushPlan {
  return { ok: false, messages: messages.map((line) => ` !     ${line}`) };
}

export interface PushPolicyOptions {
  /** Branches other than main and master deploy to review apps, and may be deleted. */
  readonly reviewBranches?: boolean;
}

export function planPush(updates: readonly RefUpdate[], options: PushPolicyOptions = {}): PushPlan {
  const deploys: RefUpdate[] = [];
  const deletes: RefUpdate[] = [];
  for (const update of updates) {
    const { ref } = update;
    if ((DEPLOY_BRANCHES as readonly string[]).includes(ref)) {
      if (isZeroRev(update.newRev)) {
        return refuse(`Deleting ${showRef(ref)} is not allowed: it is the branch paas deploys.`);
      }
      deploys.push(update);
    } else if (ref.startsWith('refs/tags/')) {
      // Accepted and stored; tags never build.
      if (isZeroRev(update.newRev)) return refuse(`Deleting ${showRef(ref)} is not allowed: tags stay.`);
    } else if (ref.startsWith('refs/heads/') && options.reviewBranches === true) {
      if (isZeroRev(update.newRev)) deletes.push(update);
      else deploys.push(update);
    } else if (ref.startsWith('refs/heads/')) {
      return refuse(
        `Pushed to ${showRef(ref)}; paas deploys only main (or master): git push paas ${deployRefspec(ref)}`,
      );
    } else {
      return refuse(`Pushed to ${showRef(ref)}; paas accepts only the branch main (or master) and tags.`);
    }
  }
  const [deploy, second] = deploys;
  if (second !== undefined) {
    const both = deploys.every((each) => (DEPLOY_BRANCHES as readonly string[]).includes(each.ref));
    return refuse(both ? 'Pushed to both main and master; push one of them: git push paas main' : 'Pushed to more than one branch; push one branch at a time.');
  }
  return { ok: true, deploy: deploy ?? null, ...(deletes.length > 0 ? { deletes } : {}) };
}
