"use client";

import { startTransition, useEffect, useRef, type FormEvent } from "react";

/**
 * For a `<form action={dispatch}>` with uncontrolled fields. React resets such a form after every
 * action, so a refused attempt would wipe what was typed and leave an error about a value no longer
 * shown (or an admin's whole edit reverted by one bad price). With these `ref` and `onSubmit` on the
 * form, the action runs from the submit event instead: React keeps the fields (and `useFormStatus`
 * still reports pending), and the form is reset only once `succeeded(state)`, as before. Before
 * hydration the form still posts to its action.
 */
export function useKeepValuesOnError<S>(state: S, dispatch: (data: FormData) => void, succeeded: (state: S) => boolean) {
  const ref = useRef<HTMLFormElement>(null);
  const reset = succeeded(state);
  useEffect(() => {
    if (reset) ref.current?.reset();
  }, [state, reset]);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter);
    startTransition(() => dispatch(data));
  };
  return { ref, onSubmit };
}
