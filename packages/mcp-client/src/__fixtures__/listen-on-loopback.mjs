// Preloaded with `node --import` into servers that listen on every interface and take no host
// option (server-everything's HTTP transports): makes a listen on a bare port bind 127.0.0.1.
import net from 'node:net';

const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const port = args[0];
  const isBarePort = typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port));
  if (isBarePort && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};
