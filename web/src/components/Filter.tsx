import { Dropdown, Option } from "@fluentui/react-components";
import { useSearchParams } from "react-router";

/** A list filter kept in the page's query string (so a link or a reload keeps it); "" = no filter. */
export function useFilterParams(): [(key: string) => string, (key: string, value: string) => void] {
  const [params, setParams] = useSearchParams();
  const get = (key: string) => params.get(key) ?? "";
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return [get, set];
}

export interface FilterChoice {
  value: string;
  text: string;
}

/** One filter of a list: "every …" first (no filter), then the choices; `value` is the chosen value or "". */
export function FilterDropdown({
  label,
  every,
  value,
  choices,
  onChange,
}: {
  label: string;
  every: string;
  value: string;
  choices: readonly (string | FilterChoice)[];
  onChange: (value: string) => void;
}) {
  const options = choices.map((c) => (typeof c === "string" ? { value: c, text: c } : c));
  const chosen = options.find((o) => o.value === value);
  return (
    <Dropdown
      aria-label={label}
      placeholder={every}
      value={chosen?.text ?? value}
      selectedOptions={[value]}
      onOptionSelect={(_, d) => onChange(d.optionValue ?? "")}
    >
      <Option value="" text={every}>
        {every}
      </Option>
      {options.map((o) => (
        <Option key={o.value} value={o.value} text={o.text}>
          {o.text}
        </Option>
      ))}
    </Dropdown>
  );
}
