/** How the injector's messages name the parts of a pod (pure): never a value, only short printable names. */
import type { ContainerList } from './types';

/** How a message names a container of that list. */
export function containerKind(list: ContainerList): string {
  return list === 'containers' ? 'container' : list === 'initContainers' ? 'init container' : 'ephemeral container';
}

/** Names come from the request before the apiserver validated them: keep them short and printable. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f"\\]/g, '?');
  return clean.length > 63 ? `${clean.slice(0, 60)}...` : clean;
}

/** `init container "secrets-broker"`. */
export function nameContainer(list: ContainerList, name: string): string {
  return `${containerKind(list)} "${printable(name)}"`;
}
