/**
 * Diagnostic codes of the Docker label translation (besides the decoder's TPK_CFG_* codes for
 * labels that do not parse and the validator's for objects that do not validate). Stable: tests
 * and users match on them.
 */
export const TRANSLATE_CODES = {
  /** No port for the container's server: no server.port label and no exposed port. */
  NO_PORT: 'TPK_DOCKER_NO_PORT',
  /** No IP address for the container on the chosen network (or none at all). */
  NO_ADDRESS: 'TPK_DOCKER_NO_ADDRESS',
  /** `server.url` given together with `server.port` or `server.scheme`. */
  SERVER_URL_EXCLUSIVE: 'TPK_DOCKER_SERVER_URL',
  /** A router without `service` in a container that defines several services: the router is dropped. */
  TOO_MANY_SERVICES: 'TPK_DOCKER_TOO_MANY_SERVICES',
  /** A router without rule whose defaultRule renders empty (HTTP), or a TCP router without rule: dropped. */
  NO_RULE: 'TPK_DOCKER_NO_RULE',
  /** Two containers define one object name differently: the object is dropped (Traefik's merge). */
  CONFLICT: 'TPK_DOCKER_CONFLICT',
  /** `traefik.docker.network` (or the provider's network) names a network the container is not on. */
  NETWORK_NOT_FOUND: 'TPK_DOCKER_NETWORK_NOT_FOUND',
} as const;

export type TranslateCode = (typeof TRANSLATE_CODES)[keyof typeof TRANSLATE_CODES];
