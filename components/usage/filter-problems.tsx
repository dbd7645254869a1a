import { Alert } from "@/components/ui/alert";
import type { FilterProblem } from "@/lib/usage/filter-params";

/** What is wrong with a filter form's values, in words, right under the form (its fields point here with aria-describedby). */
export function FilterProblems({ id, problems, title }: { id: string; problems: FilterProblem[]; title: string }) {
  if (!problems.length) return null;
  return (
    <Alert tone="error" role="alert" title={title} className="mb-6">
      <div id={id}>
        {problems.length === 1 ? (
          <p>{problems[0]!.message}</p>
        ) : (
          <ul className="list-disc space-y-1 pl-5">
            {problems.map((p) => (
              <li key={p.param}>{p.message}</li>
            ))}
          </ul>
        )}
      </div>
    </Alert>
  );
}

/** aria-invalid and aria-describedby for a field that `problems` names. */
export function problemProps(problems: FilterProblem[], param: string, problemsId: string) {
  const invalid = problems.some((p) => p.param === param);
  return invalid ? { "aria-invalid": true as const, "aria-describedby": problemsId } : {};
}
