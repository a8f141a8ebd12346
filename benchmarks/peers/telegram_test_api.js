// telegram-test-api (npm) as a server for benchmarks/soak.py, with its default settings.
//   NODE_PATH=<folder>/node_modules node telegram_test_api.js PORT
const TelegramServer = require('telegram-test-api');

const server = new TelegramServer({ port: Number(process.argv[2]), host: '127.0.0.1' });
server.start().then(() => console.log(`listening on ${server.config.apiURL}`));
