/** Why a server could not listen, in words that say what to do; shared by the dashboard and metrics servers. */
export function listenFailureReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return 'the port is taken by another program; choose another port (or 0 for any free one)';
    case 'EADDRNOTAVAIL':
      return 'that address is not one of this machine; use 127.0.0.1 or an address of this machine';
    case 'EACCES':
      return 'no permission (ports below 1024 need privileges); choose a port above 1024';
    default:
      return error.message;
  }
}
