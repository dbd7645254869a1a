import Link from "next/link";
import { redirect } from "next/navigation";
import { Logo } from "@/components/layout/logo";
import { buttonClasses } from "@/components/ui/button";
import { getSessionUser } from "@/lib/auth/session";

const FEATURES = [
  { title: "Prepaid, no surprises", text: "Top up a balance and pay only for what you use. Requests that can't be paid for are refused, never billed later." },
  { title: "One OpenAI-compatible API", text: "Point any OpenAI client at Meterway's /v1 endpoint: chat, embeddings, images and more." },
  { title: "Keys with guard rails", text: "Give each app its own key with a spend limit, a model allowlist and an expiry date." },
];

export default async function LandingPage() {
  if (await getSessionUser()) redirect("/billing");
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="mx-auto flex w-full max-w-5xl items-center justify-between px-6 py-5">
        <Logo />
        <Link href="/sign-in" className={buttonClasses({ variant: "ghost", size: "sm" })}>
          Sign in
        </Link>
      </header>
      <main className="mx-auto flex w-full max-w-5xl flex-1 flex-col justify-center px-6 py-16">
        <p className="text-sm font-semibold tracking-wide text-indigo-700 uppercase dark:text-indigo-400">Metered model gateway</p>
        <h1 className="mt-3 max-w-3xl text-4xl font-semibold tracking-tight sm:text-5xl">
          Pay-as-you-go access to AI models, through one API.
        </h1>
        <p className="mt-5 max-w-2xl text-lg text-zinc-600 dark:text-zinc-400">
          Add funds, create an API key and call OpenAI-compatible endpoints. Every request is metered to the token and
          charged from your prepaid balance — you always see what you spent.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link href="/sign-up" className={buttonClasses({ size: "lg" })}>
            Sign up
          </Link>
          <Link href="/sign-in" className={buttonClasses({ variant: "secondary", size: "lg" })}>
            Sign in
          </Link>
        </div>
        <ul className="mt-16 grid gap-4 sm:grid-cols-3">
          {FEATURES.map((f) => (
            <li key={f.title} className="rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
              <h2 className="font-semibold">{f.title}</h2>
              <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">{f.text}</p>
            </li>
          ))}
        </ul>
      </main>
      <footer className="mx-auto w-full max-w-5xl px-6 py-6 text-sm text-zinc-500 dark:text-zinc-400">© Meterway</footer>
    </div>
  );
}
