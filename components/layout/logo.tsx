import Link from "next/link";

export function Logo({ href = "/" }: { href?: string }) {
  return (
    <Link
      href={href}
      className="inline-flex items-center gap-2 rounded-md text-base font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
    >
      <span aria-hidden="true" className="grid size-7 place-items-center rounded-lg bg-accent text-sm font-bold text-white">
        M
      </span>
      Meterway
    </Link>
  );
}
