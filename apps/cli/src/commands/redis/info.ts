import { registerServiceInfo } from '../pg/info.js';

export const registerRedisInfo = registerServiceInfo('redis', 'redis:info');
