// Connection settings shared by every SDK suite in compat/test/ (set by run.sh, or by hand).
export const env = {
  url: required('SWITCHBOARD_URL').replace(/\/+$/, ''),
  companyId: required('SWITCHBOARD_COMPANY_ID'),
  publicKey: required('SWITCHBOARD_PUBLIC_KEY'),
  secretKey: required('SWITCHBOARD_SECRET_KEY'),
};

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; start the suite with compat/run.sh`);
  return v;
}

/** A unique suffix so suites can run repeatedly against the same company. */
export function uniq(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
