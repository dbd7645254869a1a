/** The look of an inline text link (a plain `<a>` or Next's `<Link>`): indigo, underlined on hover, a visible focus ring. */
export const linkClasses =
  "font-medium text-indigo-700 underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400";
