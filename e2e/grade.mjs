// Issue 5's grades: corscope's report (`#report-json`) against Chromium's own verdict (DevTools'
// `Network.loadingFailed.corsErrorStatus`). Pure functions, no browser.

/// Codes whose failed parameter is the request's method or a request header name, which a page knows.
/// For every other code the parameter is a response header's value, which a page cannot read.
export const NAMES_A_REQUEST_ITEM = new Set(['MethodDisallowedByPreflightResponse', 'HeaderDisallowedByPreflightResponse']);

/// The response a DevTools code blames: the preflight's, or the actual response's.
export function faultResponseOf(code) {
  if (code.startsWith('Preflight') || code.endsWith('PreflightResponse')) return 'preflight';
  return 'actual';
}

/// Chromium's verdict in the report's words: `{outcome, cors_error, failed_parameter}`, with DevTools'
/// empty failedParameter as null. `type` is the resolved response's type (an `opaque` or
/// `opaqueredirect` one arrived but may not be read); `refused` says fetch() threw before sending anything
/// (a `no-cors` request with a method or header that mode forbids, a URL with credentials, …).
export function chromiumVerdict({ resolved, type, refused, corsErrorStatus, errorText }) {
  if (resolved) return { outcome: type?.startsWith('opaque') ? 'opaque' : 'ok', cors_error: null, failed_parameter: null };
  if (refused) return { outcome: 'invalid-request', cors_error: null, failed_parameter: null, errorText };
  if (corsErrorStatus) {
    return { outcome: 'blocked', cors_error: corsErrorStatus.corsError, failed_parameter: corsErrorStatus.failedParameter || null, errorText };
  }
  return { outcome: 'network-error', cors_error: null, failed_parameter: null, errorText };
}

/// Grades one row. `truth` is what Chromium does not say but the graded claims need: the response and
/// header at fault (`fault_header` null when unknown). Returns `{grade, why, unknown: [...]}` where
/// `grade` is `exact`, `fault` or `wrong`, and `unknown` lists the fault fields the report left null.
export function grade(chrome, report, truth) {
  const unknown = [];
  if (chrome.outcome !== 'blocked') {
    if (report.outcome === chrome.outcome) return { grade: 'exact', why: '', unknown };
    return { grade: 'wrong', why: `outcome ${report.outcome}, Chromium ${chrome.outcome}`, unknown };
  }
  if (report.outcome !== 'blocked') return { grade: 'wrong', why: `outcome ${report.outcome}, Chromium blocked`, unknown };
  const code = chrome.cors_error;
  const param = chrome.failed_parameter;
  if (report.certain && report.cors_error === code && (report.failed_parameter ?? null) === param) {
    return { grade: 'exact', why: '', unknown };
  }
  // An uncertain report gives Chromium's parameter per candidate (`candidate_parameters`): the one that
  // counts is the parameter it claims for Chromium's code.
  const claimed = report.certain ? (report.failed_parameter ?? null) : (report.candidate_parameters?.[code] ?? null);
  const candidates = report.candidates ?? [];
  const listed = report.certain ? report.cors_error === code : candidates.includes(code);
  if (!listed) {
    const said = report.certain ? `certain ${report.cors_error}` : `candidates [${candidates.join(', ')}]`;
    return { grade: 'wrong', why: `${code} not given (${said})`, unknown };
  }
  if (report.fault_response == null) unknown.push('fault_response');
  else if (report.fault_response !== truth.fault_response) {
    return { grade: 'wrong', why: `fault_response ${report.fault_response}, true ${truth.fault_response}`, unknown };
  }
  if (report.fault_header == null) unknown.push('fault_header');
  else if (truth.fault_header == null) unknown.push('fault_header (truth unknown)');
  else if (report.fault_header !== truth.fault_header) {
    return { grade: 'wrong', why: `fault_header ${report.fault_header}, true ${truth.fault_header}`, unknown };
  }
  if (NAMES_A_REQUEST_ITEM.has(code)) {
    // The page can know the method or header name: it must give it, and give it right.
    if (claimed !== param) {
      // `onlyNullParameter`: a lenient grade (a null parameter is not a claim) would make this row a fault.
      return { grade: 'wrong', why: `failed_parameter ${JSON.stringify(claimed)}, Chromium ${JSON.stringify(param)}`, unknown, onlyNullParameter: claimed === null };
    }
  } else if (claimed !== null && claimed !== param) {
    return { grade: 'wrong', why: `failed_parameter ${JSON.stringify(claimed)}, Chromium ${JSON.stringify(param)}`, unknown };
  }
  return { grade: 'fault', why: '', unknown };
}

/// The paste path's grade: only exact counts.
export function gradePaste(chrome, report) {
  if (chrome.outcome !== 'blocked') {
    return report.outcome === chrome.outcome ? { grade: 'exact', why: '' } : { grade: 'wrong', why: `pasted verdict ${describeReport(report)}` };
  }
  if (report.outcome === 'blocked' && report.certain && report.cors_error === chrome.cors_error
      && (report.failed_parameter ?? null) === chrome.failed_parameter) {
    return { grade: 'exact', why: '' };
  }
  return { grade: 'wrong', why: `pasted verdict ${describeReport(report)}` };
}

export function describeChrome(chrome) {
  if (chrome.outcome === 'ok') return 'ok';
  if (chrome.outcome === 'blocked') return chrome.cors_error + (chrome.failed_parameter === null ? '' : ` [${chrome.failed_parameter}]`);
  return `${chrome.outcome} (${chrome.errorText ?? '?'})`;
}

export function describeReport(report) {
  if (report.outcome !== 'blocked') return report.outcome;
  const param = report.failed_parameter == null ? '' : ` [${report.failed_parameter}]`;
  const where = `@${report.fault_response ?? '?'}/${report.fault_header ?? '?'}`;
  if (report.certain) return `${report.cors_error}${param} ${where}`;
  const candidates = report.candidates ?? [];
  const shown = candidates.slice(0, 3).join('|') + (candidates.length > 3 ? `|+${candidates.length - 3}` : '');
  return `?{${shown}}${param} ${where}`;
}
