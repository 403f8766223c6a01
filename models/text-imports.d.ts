/** Files imported `with { type: "text" }`: their content as a string (Bun's text loader). */
declare module "*.py" {
  const text: string;
  export default text;
}
