// Server actions in unit tests: a form submitted as the browser would, and Next's redirect told apart
// from a returned state (the test mocks next/navigation's redirect to throw `{ url }`, as Next's throws).
export async function submitForm<State>(action: (form: FormData) => Promise<State>, fields: Record<string, string>): Promise<State | { redirectedTo: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  try {
    return await action(form);
  } catch (error) {
    return { redirectedTo: (error as { url: string }).url };
  }
}
