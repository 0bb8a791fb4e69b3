// Turns an API request into the `verb` and `resource` labels of
// mesh_soak_kube_requests_total, the way the API server's own audit log names them
// (get/list/create/update/patch/apply/delete/deletecollection; `deployments/scale`).

export interface RequestLabels {
  verb: string;
  resource: string;
}

export function requestLabels(method: string, url: string, contentType: string | undefined): RequestLabels {
  const path = new URL(url, 'http://x').pathname.split('/').filter((s) => s !== '');
  let rest: string[];
  if (path[0] === 'api') rest = path.slice(2);
  else if (path[0] === 'apis') rest = path.slice(3);
  else return { verb: method.toLowerCase(), resource: path[0] ?? '' };
  if (rest.length === 0) return { verb: 'get', resource: 'discovery' };
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource = '', name, sub] = rest;
  const named = name !== undefined;
  let verb: string;
  switch (method.toUpperCase()) {
    case 'GET':
      verb = named ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = contentType?.startsWith('application/apply-patch') ? 'apply' : 'patch';
      break;
    case 'DELETE':
      verb = named ? 'delete' : 'deletecollection';
      break;
    default:
      verb = method.toLowerCase();
  }
  return { verb, resource: sub ? `${resource}/${sub}` : resource };
}
