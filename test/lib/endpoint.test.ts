import { describe, expect, it } from 'vitest';
import { isEncryptedOrLoopback } from '../../shared/lib/endpoint';

describe('isEncryptedOrLoopback', () => {
  it.each([
    'https://cloudaudit.tencentcloudapi.com',
    'https://10.0.0.5:8443/private',
    'http://localhost:8080',
    'http://LOCALHOST:8080',
    'http://127.0.0.1:4566',
    'http://127.8.9.10/',
    'http://127.1:80/',
    'http://[::1]:9200',
    'http://[0:0:0:0:0:0:0:1]/',
  ])('accepts %s', (url) => {
    expect(isEncryptedOrLoopback(url)).toBe(true);
  });

  it.each([
    'http://cloudaudit.tencentcloudapi.com',
    'http://10.0.0.5:8080',
    'http://192.168.1.10',
    'http://localhost.example.com',
    'http://127.0.0.1.example.com',
    'http://128.0.0.1',
    'http://[::2]/',
    'http://0.0.0.0:8080',
    'ftp://localhost/',
    'ws://localhost/',
    'localhost:8080',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isEncryptedOrLoopback(url)).toBe(false);
  });
});
